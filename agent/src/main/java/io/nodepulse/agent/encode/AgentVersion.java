package io.nodepulse.agent.encode;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from the Maven metadata in its jar; "dev" when run from classes. */
public final class AgentVersion {
    static final String POM_PROPERTIES = "/META-INF/maven/io.nodepulse/nodepulse-agent/pom.properties";
    private static final String VERSION = read();

    private AgentVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = AgentVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // fall through to the default
        }
        return "dev";
    }
}
