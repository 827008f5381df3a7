/*
 * rtk-core.js - entry of the RTK web SDK: `import RealtimeKitClient from
 * '/sdk/rtk-core.js'` and call `RealtimeKitClient.init({authToken})`, as
 * the RealtimeKit web-core docs do with their package. Plain ES modules, no
 * build step, no runtime dependencies; docs/sdk.md says what exists.
 */
import { RealtimeKitClient } from './meeting.js';

export { RealtimeKitClient };
export { RTKError } from './errors.js';
export { RTKEventEmitter } from './emitter.js';
export { RTKParticipant } from './participant.js';
export { RTKParticipantMap } from './participant-map.js';
export { RTKPermissionsPreset } from './permissions.js';
export default RealtimeKitClient;
