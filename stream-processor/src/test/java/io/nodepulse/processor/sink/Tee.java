package io.nodepulse.processor.sink;

import java.io.IOException;
import java.io.OutputStream;

/** Writes to two streams: a test sees the log it captures and the console still shows it. */
final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public synchronized void write(int x) throws IOException {
        a.write(x);
        b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
        a.write(buf, off, len);
        b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
        a.flush();
    }
}
