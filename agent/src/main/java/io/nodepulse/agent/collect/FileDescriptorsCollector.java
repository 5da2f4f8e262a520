package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.FileNr;
import io.nodepulse.schema.FileDescriptors;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;

/** Host-wide file handles from {@code <proc>/sys/fs/file-nr} (not namespaced). */
final class FileDescriptorsCollector implements Collector<FileDescriptors> {
    private final KernelFiles.Handle fileNr;

    FileDescriptorsCollector(CollectSettings settings, KernelFiles files) {
        this.fileNr = files.handle(settings.proc().resolve("sys/fs/file-nr"));
    }

    @Override
    public String name() {
        return "filedescriptors";
    }

    @Override
    public FileDescriptors collect(Cycle cycle) throws IOException {
        FileNr f = FileNr.parse(cycle.text(fileNr));
        return FileDescriptors.newBuilder().setAllocated(f.allocated()).setMax(f.max()).build();
    }

    @Override
    public void put(NodeMetrics.Builder event, FileDescriptors family) {
        event.setFileDescriptors(family);
    }
}
