import { readFile, writeFile } from 'node:fs/promises'

/**
 * Kernel limits the hosts share: every host's systemd takes several inotify
 * instances, and Linux's default of 128 per user runs out at about two labs
 * (`Failed to allocate manager object: Too many open files` in a host's console).
 */
export const HOST_LIMITS: readonly { readonly path: string; readonly min: number }[] = [
  { path: '/proc/sys/fs/inotify/max_user_instances', min: 1024 },
  { path: '/proc/sys/fs/inotify/max_user_watches', min: 65536 },
]

/** Raise the value in `path` to `min` if it is lower; returns the value in force. */
export async function ensureAtLeast(path: string, min: number): Promise<number> {
  const now = Number((await readFile(path, 'utf8')).trim())
  if (now >= min) return now
  await writeFile(path, `${min}\n`)
  return min
}
