package io.nodepulse.agent.collect.parse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code /proc/<pid>/mountinfo}:
 * {@code 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue}.
 * Paths are unescaped (the kernel writes space, tab, newline and backslash as octal escapes).
 */
public final class MountInfo {
    private MountInfo() {
    }

    /**
     * One mount.
     *
     * @param root         the path inside the filesystem that is mounted here; "/" unless a bind mount
     * @param mountOptions per-mount options, e.g. {@code ro,relatime}
     * @param superOptions per-superblock options
     */
    public record Mount(int major, int minor, String root, String mountPoint, String mountOptions, String fsType,
                        String source, String superOptions) {

        /** Read-only when either the mount or the superblock is. */
        public boolean readOnly() {
            return hasOption(mountOptions, "ro") || hasOption(superOptions, "ro");
        }

        private static boolean hasOption(String options, String option) {
            int i = 0;
            int n = options.length();
            while (i < n) {
                int c = options.indexOf(',', i);
                int end = c < 0 ? n : c;
                if (end - i == option.length() && options.startsWith(option, i)) {
                    return true;
                }
                i = end + 1;
            }
            return false;
        }
    }

    public static List<Mount> parse(String text) {
        List<Mount> out = new ArrayList<>();
        for (String line : Fields.lines(text)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = Fields.split(line);
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
                throw new IllegalArgumentException("malformed mountinfo line: " + line.strip());
            }
            String dev = f[2];
            int colon = dev.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("mountinfo device '" + dev + "' is not major:minor");
            }
            out.add(new Mount((int) Fields.unsigned(dev.substring(0, colon), "major"),
                    (int) Fields.unsigned(dev.substring(colon + 1), "minor"),
                    unescape(f[3]), unescape(f[4]), f[5], f[dash + 1], unescape(f[dash + 2]),
                    dash + 3 < f.length ? f[dash + 3] : ""));
        }
        return out;
    }

    /**
     * Undoes the kernel's octal escapes, e.g. {@code \040} for a space, and decodes the path's bytes as UTF-8:
     * the kernel writes other bytes as they are, and kernel files are read one char per byte.
     */
    public static String unescape(String s) {
        return utf8(octal(s));
    }

    private static String octal(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The string's chars as bytes, decoded as UTF-8; as it is when it is not one byte per char or not UTF-8. */
    static String utf8(String s) {
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                return s;
            }
            high |= c >= 0x80;
        }
        if (!high) {
            return s;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return s;
        }
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
