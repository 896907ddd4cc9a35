// A background worker: does a unit of work every few seconds until told to stop.
let stopping = false;
let done = 0;

const timer = setInterval(() => {
  done++;
  console.log(`worker finished job ${done}`);
}, 5_000);

process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  console.log(`worker stopping after ${done} jobs`);
  process.exit(0);
});
