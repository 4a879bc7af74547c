/**
 * A liveness prober in a process of its own: it asks `GET /healthz` every 50 ms and, when the parent
 * sends "stop", answers with every latency it saw. Apart from the load generator, so a busy load
 * generator cannot make the gateway look slow.
 */
import { childArgument } from './child.js';

const { url } = childArgument<{ url: string }>();
const latencies: number[] = [];
const timer = setInterval(() => {
  const started = performance.now();
  void fetch(`${url}/healthz`).then(
    () => latencies.push(performance.now() - started),
    () => latencies.push(Number.POSITIVE_INFINITY),
  );
}, 50);

process.send?.({ ready: true });
process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  process.send?.(latencies, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
