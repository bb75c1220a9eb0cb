import 'reflect-metadata';
import { runMain } from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import { loadLauncherConfig } from './config';
import { startGraph } from './graph';
import { SERVICES } from './services';
import { webAppsDir } from './web-apps';

const { TARGET } = loadLauncherConfig();

runMain(`launcher:${TARGET}`, async () => {
  if (TARGET === 'all') return startGraph();
  if (TARGET === 'gateway') return startGateway({ webAppsDir: webAppsDir() });
  return SERVICES[TARGET].start({});
});
