/** BullMQ queue names; with the configured prefix they make every queue key (`<prefix>:<name>:...`). */
export const QUEUE_NAMES = {
  restoreEvents: 'restore-events',
  notifications: 'notifications',
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
