export {
  EventTracker,
  type TrackerOptions,
  type TrackedEvent,
  type Consent,
  type TrackerLogger,
} from './tracker.js';
