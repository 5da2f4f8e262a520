package io.nodepulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTypedValuesAndDefaults() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("A_DURATION", "5m", "A_SIZE", "256MiB", "A_INT", "7",
                "A_BOOL", "TRUE"));
        assertThat(r.duration("A_DURATION", Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(r.bytes("A_SIZE", 1, 1)).isEqualTo(256L << 20);
        assertThat(r.integer("A_INT", 1, 0, 10)).isEqualTo(7);
        assertThat(r.bool("A_BOOL", false)).isTrue();
        assertThat(r.string("MISSING", "fallback")).isEqualTo("fallback");
        r.throwIfProblems();
    }

    @Test
    void reportsEveryProblemAtOnceNamingEachVariable() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("A_DURATION", "soon", "A_SIZE", "lots", "A_INT", "99"));
        r.duration("A_DURATION", Duration.ofSeconds(1), Duration.ofSeconds(1));
        r.bytes("A_SIZE", 1, 1);
        r.integer("A_INT", 1, 0, 10);
        r.required("A_REQUIRED", "the thing it needs");
        ConfigException e = catchThrowableOfType(ConfigException.class, r::throwIfProblems);
        assertThat(e.problems()).hasSize(4);
        assertThat(e.getMessage()).contains("A_DURATION='soon'", "A_SIZE='lots'", "A_INT='99'",
                "A_REQUIRED is required: the thing it needs");
    }

    @Test
    void readsSecretsFromFilesAndMasksThem() throws IOException {
        Path secret = dir.resolve("jaas");
        Files.writeString(secret, "org.apache.kafka.common.security.plain.PlainLoginModule required;\n");
        ConfigReader r = ConfigReader.fromEnv(Map.of("KAFKA_SASL_JAAS_CONFIG_FILE", secret.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092", "APP_TOKEN_FILE", secret.toString()));
        Map<String, Object> props = r.kafka(Set.of("sasl.jaas.config", "bootstrap.servers")::contains, "producer");
        assertThat(props).containsEntry("sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required;");
        assertThat(r.string("APP_TOKEN", null)).startsWith("org.apache");
        String printed = r.describe();
        assertThat(printed).contains("KAFKA_BOOTSTRAP_SERVERS=k:9092", "KAFKA_SASL_JAAS_CONFIG=****",
                "APP_TOKEN=****").doesNotContain("PlainLoginModule");
    }

    @Test
    void aSecretKeepsItsSpacesAndAnEmptySecretFileIsAProblem() throws IOException {
        Path spaced = dir.resolve("spaced");
        Files.writeString(spaced, " s3cret \n");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        ConfigReader r = ConfigReader.fromEnv(Map.of("DB_PASSWORD_FILE", spaced.toString(),
                "KAFKA_SASL_JAAS_CONFIG_FILE", empty.toString()));
        assertThat(r.secret("DB_PASSWORD", null)).isEqualTo(" s3cret ");
        r.kafka(Set.of("sasl.jaas.config")::contains, "producer");
        assertThat(r.problems()).singleElement().asString()
                .startsWith("KAFKA_SASL_JAAS_CONFIG_FILE: " + empty + " is empty");
    }

    @Test
    void anUnreadableSecretFileIsAProblemNamingTheVariable() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("DB_PASSWORD_FILE", dir.resolve("nope").toString()));
        assertThat(r.secret("DB_PASSWORD", null)).isNull();
        assertThat(r.problems()).singleElement().asString().startsWith("DB_PASSWORD_FILE: cannot read");
    }

    @Test
    void fileIndirectionsNobodyAsksForAreIgnored() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("TF_CLI_CONFIG_FILE", dir.resolve("nope").toString()));
        assertThat(r.string("NODEPULSE_CLUSTER", "default")).isEqualTo("default");
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void aValueAndItsFileTogetherIsAProblem() throws IOException {
        Path f = dir.resolve("p");
        Files.writeString(f, "x");
        ConfigReader r = ConfigReader.fromEnv(Map.of("DB_PASSWORD", "y", "DB_PASSWORD_FILE", f.toString()));
        r.secret("DB_PASSWORD", null);
        assertThat(r.problems()).singleElement().asString().contains("set only one");
    }

    @Test
    void unknownKafkaPropertiesAreProblemsWithAServiceLinksHint() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KAFKA_PORT", "tcp://10.0.0.1:9092",
                "KAFKA_LINGER_MSS", "5", "KAFKA_LINGER_MS", "5"));
        Map<String, Object> props = r.kafka(Set.of("linger.ms")::contains, "producer");
        assertThat(props).containsOnlyKeys("linger.ms");
        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_PORT maps to 'port'")
                .contains("enableServiceLinks: false"));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("KAFKA_LINGER_MSS")
                .doesNotContain("enableServiceLinks"));
    }

    @Test
    void kafkaPropertiesWithUnderscoresOrEndingInFileAreFound() throws IOException {
        Path jwt = dir.resolve("jwt");
        Files.writeString(jwt, "p4ss\r\n\n");
        ConfigReader r = ConfigReader.fromEnv(Map.of(
                "KAFKA_RACK_AWARE_ASSIGNMENT_TRAFFIC_COST", "10",
                "KAFKA_SASL_OAUTHBEARER_ASSERTION_FILE", "/var/run/jwt",
                "KAFKA_SSL_KEY_PASSWORD_FILE", jwt.toString()));
        Map<String, Object> props = r.kafka(Set.of("rack.aware.assignment.traffic_cost",
                "sasl.oauthbearer.assertion.file", "ssl.key.password")::contains, "consumer");
        assertThat(r.problems()).isEmpty();
        assertThat(props).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rack.aware.assignment.traffic_cost", "10",
                "sasl.oauthbearer.assertion.file", "/var/run/jwt",
                "ssl.key.password", "p4ss"));
    }

    @Test
    void anEmptyKafkaValueIsPassedOnAndANamelessOneIsAProblem() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "",
                "KAFKA_FILE", "/x"));
        Map<String, Object> props = r.kafka(Set.of("ssl.endpoint.identification.algorithm")::contains, "producer");
        assertThat(props).containsExactly(Map.entry("ssl.endpoint.identification.algorithm", ""));
        assertThat(r.problems()).containsExactly("KAFKA_FILE maps to 'file', which is not a producer property.");
        assertThat(ConfigReader.hasValue(Map.of("bootstrap.servers", " "), "bootstrap.servers")).isFalse();
    }

    @Test
    void aSecretFileIsReadEvenWhenEveryNameCountsAsAProperty() throws IOException {
        Path jaas = dir.resolve("jaas");
        Files.writeString(jaas, "required;\n");
        ConfigReader r = ConfigReader.fromEnv(Map.of("KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString()));
        assertThat(r.kafka(name -> true, "Kafka client")).containsExactly(Map.entry("sasl.jaas.config", "required;"));
    }

    @Test
    void anOptionalFileSuppliesDefaultsTheEnvironmentOverrides() throws IOException {
        Path file = dir.resolve("agent.env");
        Files.writeString(file, "# comment\nA=from-file\nB=from-file\nnonsense\n");
        ConfigReader r = ConfigReader.fromEnv(Map.of(ConfigReader.CONFIG_FILE, file.toString(), "B", "from-env"));
        assertThat(r.string("A", null)).isEqualTo("from-file");
        assertThat(r.string("B", null)).isEqualTo("from-env");
        assertThat(r.problems()).singleElement().asString().contains("line 4: expected KEY=VALUE");
    }

    @Test
    void secretLookingNamesAreMaskedEvenWhenSetDirectly() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("NODEPULSE_DB_WRITER_PASSWORD", "hunter2"));
        r.string("NODEPULSE_DB_WRITER_PASSWORD", null);
        assertThat(r.describe()).contains("NODEPULSE_DB_WRITER_PASSWORD=****").doesNotContain("hunter2");
    }

    @Test
    void anInlinePrivateKeyIsMasked() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KAFKA_SSL_KEYSTORE_KEY", "-----BEGIN PRIVATE KEY-----abc"));
        r.kafka(name -> true, "Kafka client");
        assertThat(r.describe()).contains("KAFKA_SSL_KEYSTORE_KEY=****").doesNotContain("BEGIN PRIVATE KEY");
    }

    @Test
    void durationsTooLargeAreBadValuesNotCrashes() {
        assertThat(ConfigReader.parseDuration("99999999999999999999s")).isNull();
        assertThat(ConfigReader.parseDuration("1000000000000d")).isNull();
        assertThat(ConfigReader.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void badValuesOfSecretsAreNotEchoed() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("SOME_SECRET", "not-a-number-but-secret"));
        r.integer("SOME_SECRET", 1, 0, 5);
        assertThat(r.problems()).singleElement().asString().doesNotContain("not-a-number-but-secret");
    }

    @Test
    void aMisspeltSettingIsAnErrorNotASilentDefault() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("NODEPULSE_INTERVALL", "5s", "NODEPULSE_CLUSTER", "prod",
                "OTHER_THING", "x", "NODEPULSE_HOME", "/stack", "NODEPULSE_CLUSTER_FILE", "/x"));
        r.string("NODEPULSE_CLUSTER", "default");
        r.duration("NODEPULSE_INTERVAL", Duration.ofSeconds(10), Duration.ofSeconds(1));
        r.rejectUnknown("NODEPULSE_", "agent");
        assertThat(r.problems()).hasSize(2).anySatisfy(p -> assertThat(p)
                .startsWith("NODEPULSE_INTERVALL is not a setting of the agent"))
                .anySatisfy(p -> assertThat(p).contains("NODEPULSE_CLUSTER_FILE and NODEPULSE_CLUSTER are both set"));
        assertThat(r.knownNames()).containsExactlyInAnyOrder("NODEPULSE_CLUSTER", "NODEPULSE_CLUSTER_FILE",
                "NODEPULSE_INTERVAL", "NODEPULSE_INTERVAL_FILE");
    }

    @Test
    void aMisspeltDatabaseSettingIsAnErrorForTheApplicationThatReadsThem() {
        Map<String, String> env = Map.of("NODEPULSE_DB_STARTUP_TIMOUT", "5m", "NODEPULSE_DB_WRITER_USER", "w");
        ConfigReader sink = ConfigReader.fromEnv(env);
        sink.string("NODEPULSE_DB_WRITER_USER", null);
        sink.rejectUnknown("NODEPULSE_", "processor", true);
        assertThat(sink.problems()).singleElement().asString()
                .startsWith("NODEPULSE_DB_STARTUP_TIMOUT is not a setting of the processor");

        ConfigReader agent = ConfigReader.fromEnv(env);
        agent.rejectUnknown("NODEPULSE_", "agent");
        assertThat(agent.problems()).as("another component's settings in a shared environment").isEmpty();
    }

    @Test
    void theLaunchersOwnSettingsPassThroughTheApplications() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("NODEPULSE_AGENT_PORT", "9200", "NODEPULSE_PROCESSOR_PORT",
                "9201", "NODEPULSE_SIMULATOR_JAVA_OPTS", "-Xmx1g"));
        r.rejectUnknown("NODEPULSE_", "processor");
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void defaultsPrintAsTheyWouldBeSpelt() {
        ConfigReader r = ConfigReader.fromEnv(Map.of());
        r.duration("A_INTERVAL", Duration.ofSeconds(10), Duration.ofSeconds(1));
        r.duration("A_RETENTION", Duration.ofDays(7), Duration.ofSeconds(1));
        assertThat(r.describe()).contains("A_INTERVAL=10s", "A_RETENTION=7d");
        assertThat(ConfigReader.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigReader.format(Duration.ofMinutes(90))).isEqualTo("90m");
    }
}
