package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    @Test
    void parsesOptionalFieldsEscapesAndReadOnly() {
        List<MountInfo.Mount> m = MountInfo.parse("""
                27 1 254:0 / / rw,relatime shared:1 master:2 - ext4 /dev/vda rw,discard
                42 27 8:1 /data /mnt/my\\040disk ro,relatime - ext4 /dev/sda1 rw
                43 27 8:2 / /srv rw - xfs /dev/sda2 ro,attr2
                44 27 0:50 / /run/x rw,nosuid - tmpfs tmpfs
                """);
        assertThat(m.get(0)).isEqualTo(new MountInfo.Mount(254, 0, "/", "/", "rw,relatime", "ext4", "/dev/vda",
                "rw,discard"));
        assertThat(m.get(0).readOnly()).isFalse();
        assertThat(m.get(1).mountPoint()).isEqualTo("/mnt/my disk");
        assertThat(m.get(1).root()).isEqualTo("/data");
        assertThat(m.get(1).readOnly()).isTrue();
        assertThat(m.get(2).readOnly()).as("superblock read-only").isTrue();
        assertThat(m.get(3).superOptions()).isEmpty();
    }

    @Test
    void optionNamesAreMatchedWhole() {
        MountInfo.Mount m = MountInfo.parse("1 1 8:1 / /x rw,errors=ro - ext4 /dev/x rw,rootcontext=ro\n").get(0);
        assertThat(m.readOnly()).isFalse();
    }

    @Test
    void decodesUtf8MountPointsReadOneCharPerByte() throws Exception {
        // kernel files are read as ISO-8859-1, one char per byte; the kernel writes UTF-8 names as they are
        String line = new String("12 1 8:3 / /data/donn\u00e9es\\040x rw - ext4 /dev/sdb1 rw\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(MountInfo.parse(line).get(0).mountPoint()).isEqualTo("/data/donn\u00e9es x");
        assertThat(MountInfo.unescape("caf\u00e9")).as("not UTF-8: kept as it is").isEqualTo("caf\u00e9");
    }

    @Test
    void unescapesOctal() {
        assertThat(MountInfo.unescape("a\\011b\\134c\\012")).isEqualTo("a\tb\\c\n");
        assertThat(MountInfo.unescape("no\\escape")).isEqualTo("no\\escape");
    }

    @Test
    void rejectsLinesWithoutSeparator() {
        assertThatThrownBy(() -> MountInfo.parse("27 1 254:0 / / rw ext4 /dev/vda rw\n"))
                .hasMessageContaining("malformed mountinfo line");
    }
}
