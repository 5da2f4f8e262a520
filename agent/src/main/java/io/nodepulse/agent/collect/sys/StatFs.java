package io.nodepulse.agent.collect.sys;

import java.io.IOException;
import java.nio.file.Path;

/** statvfs(3) and stat(2) of paths; an interface so that fixture trees can supply results keyed by path. */
public interface StatFs {
    /** statvfs(3) of {@code path}. */
    FsStat stat(Path path) throws IOException;

    /** The device {@code path} is on (stat(2) st_dev), or null when it cannot be told. */
    Device device(Path path);
}
