import { replayE2E } from './support/lab-e2e.js';

/** Every upstream e2e case on real packets, the node agents following the lab's manifests file. */
replayE2E('conform', 'file');
