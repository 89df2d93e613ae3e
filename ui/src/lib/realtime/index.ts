export { browserSignals, connectRealtime } from './client';
export type {
  BrowserSignals,
  Clock,
  MqttConnect,
  MqttConnectOptions,
  MqttConnection,
  Realtime,
  RealtimeOptions,
} from './client';
export { parseMessage, type RealtimeMessage } from './message';
export {
  backoffDelay,
  defaultBackoff,
  initialState,
  step,
  type Backoff,
  type ConnectionEvent,
  type ConnectionState,
  type ConnectionStatus,
  type Effect,
} from './state';
export { useRealtime } from './useRealtime';
