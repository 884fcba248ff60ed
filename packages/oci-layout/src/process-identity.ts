// The process identity moved to @ferry/blob (shared with its file lock); re-exported for this package's users.
export { currentProcess, hostTag, isProcessGone, type ProcessIdentity } from '@ferry/blob';
