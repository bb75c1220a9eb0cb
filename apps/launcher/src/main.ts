import 'reflect-metadata';
import { runMain } from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import { loadLauncherConfig, placementOf } from './config';
import { startGraph } from './graph';
import { SERVICES } from './services';
import { webAppsDir } from './web-apps';

const launcher = loadLauncherConfig();
const { TARGET } = launcher;

runMain(`launcher:${TARGET}`, async () => {
  if (TARGET === 'all')
    // A crashed worker thread takes the process down (the graph has logged and stopped the rest).
    return startGraph({
      ...placementOf(launcher),
      onFatal: () => process.exit(1),
    });
  if (TARGET === 'gateway') return startGateway({ webAppsDir: webAppsDir() });
  return SERVICES[TARGET].start({});
});
