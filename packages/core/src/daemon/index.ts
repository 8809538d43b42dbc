// Running a master or an agent in the background (`--daemon`), and stopping it by its pid file.
export { daemonReady, isDaemonChild } from './daemon-ready.js';
export { daemonFiles, processAlive, readPidFile, runningDaemon } from './pid-file.js';
export { type DaemonSpec, type StartedDaemon, startDaemon, startDaemonFromCommand } from './start-daemon.js';
export { type StopOutcome, stopDaemon } from './stop-daemon.js';
