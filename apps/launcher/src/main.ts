import 'reflect-metadata';
import { runMain } from '@loyalty/platform';
import { startGateway } from '@loyalty/gateway';
import { loadLauncherConfig } from './config';
import { startGraph } from './graph';
import { SERVICES } from './services';
import { webAppsDir } from './web-apps';

const { TARGET, GATEWAY_THREAD, GATEWAY_THREAD_SERVICES } = loadLauncherConfig();

runMain(`launcher:${TARGET}`, async () => {
  if (TARGET === 'all')
    // A crashed gateway thread takes the process down (the graph has logged and stopped the rest).
    return startGraph({
      gatewayThread: GATEWAY_THREAD,
      threadServices: GATEWAY_THREAD_SERVICES,
      onFatal: () => process.exit(1),
    });
  if (TARGET === 'gateway') return startGateway({ webAppsDir: webAppsDir() });
  return SERVICES[TARGET].start({});
});
