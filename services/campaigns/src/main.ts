import { runMain } from '@loyalty/platform';
import { start } from './index';

runMain('campaigns', () => start());
