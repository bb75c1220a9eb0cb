import 'reflect-metadata';
import { runMain } from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import { loadLauncherConfig } from './config';
import { startGraph } from './graph';
import { SERVICES } from './services';

const { TARGET } = loadLauncherConfig();

runMain(`launcher:${TARGET}`, async () => {
  if (TARGET === 'all') return startGraph();
  if (TARGET === 'gateway') return startGateway();
  return SERVICES[TARGET].start({});
});
