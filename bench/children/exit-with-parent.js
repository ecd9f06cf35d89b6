'use strict';
/**
 * Preloaded into every child process the bench starts (`node -r ./exit-with-parent.js ...`).
 * The bench gives each child an IPC channel; when the bench goes away, even by SIGKILL, the
 * channel closes and the child shuts itself down the way an operator would stop it (SIGTERM,
 * which thaw handles gracefully), so no child outlives the bench. Loads no module at all, so it
 * changes nothing about what it runs (startup time, RSS).
 */
if (process.channel) {
  // The channel must not keep a process alive that would otherwise exit.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
