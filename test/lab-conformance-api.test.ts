import { replayE2E } from './support/lab-e2e.js';

/**
 * Every upstream e2e case on real packets again, the node agents following the lab's API server (the test API
 * server, through @kubernetes/client-node's informers): each step written through the API by `lab apply`'s path.
 */
replayE2E('conformapi', 'api');
