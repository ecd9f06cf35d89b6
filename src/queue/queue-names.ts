/** BullMQ queue names; each queue's keys are `{<prefix>:<name>}:<name>:...` (keys.ts, queuePrefix). */
export const QUEUE_NAMES = {
  restoreEvents: 'restore-events',
  notifications: 'notifications',
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
