package io.nodepulse.agent.collect.sys;

import io.nodepulse.agent.collect.parse.Timex;
import java.io.IOException;

/** Reads the kernel clock discipline state; an interface so that tests can supply readings. */
@FunctionalInterface
public interface TimexSource {
    Timex read() throws IOException;
}
