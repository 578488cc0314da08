/**
 * Plain-data shapes of the JetStream stream and consumer settings we use, limited to what
 * NATS server 2.9 understands. Kept here (not imported from @nats-io/jetstream) so contracts
 * stays dependency-free; they are structurally compatible with the client's config types.
 * Durations are nanoseconds, as on the JetStream API.
 */
export interface StreamConfigInput {
  name: string;
  subjects: string[];
  retention: "limits" | "workqueue" | "interest";
  storage: "file" | "memory";
  discard: "old" | "new";
  max_age: number;
  max_bytes?: number;
  max_msgs?: number;
  max_msg_size: number;
  duplicate_window: number;
  num_replicas?: number;
}

export interface ConsumerConfigInput {
  durable_name: string;
  ack_policy: "explicit";
  ack_wait: number;
  max_deliver: number;
  max_ack_pending: number;
  deliver_policy: "all";
  /** Only messages on this subject (one subject: `filter_subjects` needs NATS 2.10). */
  filter_subject?: string;
}
