package io.nodepulse.agent.simulate;

/** A lasting problem of a simulated node, chosen so that one of the bundled alert rules fires for it. */
public enum Fault {
    NONE,
    /** CPU busy 94–99 %, CPU pressure (PSI some avg60) around 35 %: cpu-busy, cpu-pressure. */
    CPU_HOG,
    /** One filesystem 91–98 % full and still filling: filesystem-almost-full. */
    FILESYSTEM_FULL,
    /** 3–7 % of memory available, memory PSI some avg60 around 20 %, major faults, OOM kills:
     *  memory-available-low, memory-pressure. */
    MEMORY_PRESSURE,
    /** Disks saturated, I/O PSI some avg60 around 40 %: io-pressure. */
    IO_HOG;

    /** The faults a faulty node gets, in turn. */
    static final Fault[] CYCLE = {CPU_HOG, FILESYSTEM_FULL, MEMORY_PRESSURE, IO_HOG};
}
