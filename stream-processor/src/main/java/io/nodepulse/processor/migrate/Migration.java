package io.nodepulse.processor.migrate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SQL migration script: versioned ({@code V<n>__<description>.sql}, applied once, never changed) or
 * repeatable ({@code R__<description>.sql}, applied again whenever its text changes).
 *
 * @param script      file name
 * @param version     version of a versioned script, null for a repeatable one
 * @param description words from the file name
 * @param sql         the text as committed, before placeholders are substituted
 */
public record Migration(String script, Integer version, String description, String sql) {
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
    private static final Pattern REPEATABLE = Pattern.compile("R__(\\w+)\\.sql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");

    /** Parses a file name, or returns null when it is not a migration. */
    static Migration of(String fileName, String sql) {
        Matcher v = VERSIONED.matcher(fileName);
        if (v.matches()) {
            return new Migration(fileName, Integer.parseInt(v.group(1)), v.group(2).replace('_', ' '), sql);
        }
        Matcher r = REPEATABLE.matcher(fileName);
        if (r.matches()) {
            return new Migration(fileName, null, r.group(1).replace('_', ' '), sql);
        }
        return null;
    }

    public boolean repeatable() {
        return version == null;
    }

    /** The key in schema_migrations: the version number, or the script name of a repeatable migration. */
    public String key() {
        return repeatable() ? script : Integer.toString(version);
    }

    /** The SQL with {@code ${name}} placeholders replaced; an unknown placeholder is an error. */
    public String render(Map<String, String> placeholders) {
        Matcher m = PLACEHOLDER.matcher(sql);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = placeholders.get(m.group(1));
            if (value == null) {
                throw new MigrationException(script + " uses placeholder ${" + m.group(1) + "}, which is not one of "
                        + placeholders.keySet());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * SHA-256 of the text with line endings normalised. A versioned script's checksum covers the committed text;
     * a repeatable script's covers the rendered text, so changing a role name re-applies its grants.
     */
    public static String checksum(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
