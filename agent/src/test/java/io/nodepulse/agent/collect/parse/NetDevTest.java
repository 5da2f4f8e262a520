package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetDevTest {
    @Test
    void parsesInterfacesSkippingHeaders() {
        List<NetDev.Interface> i = NetDev.parse("""
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:  594692    2163    0    0    0     0          0         0   594692    2163    0    0    0     0       0          0
                  eth0: 322704133    9192    1    2    0     0          0         0   733106    7914    3    4    0     0       0          0
                """);
        assertThat(i).extracting(NetDev.Interface::name).containsExactly("lo", "eth0");
        assertThat(i.get(1)).isEqualTo(new NetDev.Interface("eth0", 322704133, 9192, 1, 2, 733106, 7914, 3, 4));
    }

    @Test
    void oldKernelsPrintNoSpaceAfterTheColon() {
        List<NetDev.Interface> i = NetDev.parse("eth0:12345 10 0 0 0 0 0 0 678 9 0 0 0 0 0 0\n");
        assertThat(i.get(0).rxBytes()).isEqualTo(12345);
        assertThat(i.get(0).txPackets()).isEqualTo(9);
    }

    @Test
    void shortLinesAreMalformed() {
        assertThatThrownBy(() -> NetDev.parse("eth0: 1 2 3\n")).hasMessageContaining("expected 16");
    }
}
