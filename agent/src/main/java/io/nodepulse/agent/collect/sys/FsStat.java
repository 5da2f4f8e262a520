package io.nodepulse.agent.collect.sys;

/**
 * What statvfs(3) says about a filesystem.
 *
 * @param fragmentSize    f_frsize, the unit of the block counts
 * @param blocksAvailable blocks available to unprivileged users (f_bavail)
 * @param readOnly        ST_RDONLY in f_flag
 */
public record FsStat(long fragmentSize, long blocks, long blocksFree, long blocksAvailable, long files,
                     long filesFree, boolean readOnly) {
}
