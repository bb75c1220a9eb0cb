import { runMain } from '@loyalty/platform';
import { startGateway } from './gateway';

runMain('gateway', () => startGateway());
