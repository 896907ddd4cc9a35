/** The control API's HTTP machinery: the daemon adds routes, this folder does the rest. */
export { startControlServer, type ControlServer, type ControlServerOptions } from './control-server.js';
export { loadOrCreateToken, API_TOKEN_FILE } from './api-token.js';
export { reply, Reply, type Caller, type ClientName, type Handler, type HttpMethod, type RequestContext, type Route } from './context.js';
export { sse, formatSseEvent, type SseEvent, type SseOptions, type SseStream } from './sse.js';
export { pipeFeed, type EventFeed, type FeedEvent } from './sse-feed.js';
export { errorResponse, type ErrorBody, type ErrorLog } from './errors-to-response.js';
export { Router, type RouteMatch } from './router.js';
