/**
 * BullMQ's key prefix. The braces make it every queue key's hash tag, so that each queue's keys
 * (which BullMQ's Lua scripts touch together) share one Redis Cluster slot. All queues share it,
 * and so one master: their traffic (a few scheduled runs, one webhook pass a second) is small.
 */
export function bullQueuePrefix(redisKeyPrefix: string): string {
  return `{${redisKeyPrefix}bull}`;
}
