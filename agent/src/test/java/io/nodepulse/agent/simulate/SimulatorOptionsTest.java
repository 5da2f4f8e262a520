package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorOptionsTest {

    @Test
    void defaults() throws Exception {
        SimulatorOptions o = SimulatorOptions.parse("--nodes", "100");
        assertThat(o.nodes()).isEqualTo(100);
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.duration()).isNull();
        assertThat(o.rateMultiplier()).isEqualTo(1.0);
        assertThat(o.shape()).isEqualTo(new Shape(4, 3, 2, 30, 1)).isEqualTo(Shape.DEFAULT);
        assertThat(o.duplicateFraction()).isEqualTo(0.01);
        assertThat(o.lateFraction()).isEqualTo(0.005);
        assertThat(o.lateGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.stagger()).isFalse();
        assertThat(o.seed()).isNull();
        assertThat(o.cluster()).isEqualTo("sim");
        assertThat(o.nodePrefix()).isEqualTo("sim-");
        assertThat(o.manifest()).isNull();
        assertThat(o.help()).isFalse();
    }

    @Test
    void everyFlag(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SimulatorOptions o = SimulatorOptions.parse("--nodes", "20000", "--interval", "15s", "--duration=10m",
                "--rate-multiplier", "6", "--disks", "2", "--filesystems", "5", "--interfaces", "1", "--pods", "110",
                "--thermal-zones", "0", "--duplicate-fraction", "0.1", "--late-fraction", "0.02", "--late-grace", "5s",
                "--churn", "0.5", "--silent-leave-fraction", "1", "--reboot-rate", "0.1", "--restart-rate", "0.2",
                "--crash-restart-fraction", "0", "--faulty-fraction", "0.2", "--stagger", "--seed", "-42",
                "--cluster", "prod-eu", "--node-prefix", "ip-10-0-", "--manifest", dir.resolve("m.tsv").toString(),
                "--progress", "1m");
        assertThat(o.nodes()).isEqualTo(20000);
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.rateMultiplier()).isEqualTo(6.0);
        assertThat(o.shape()).isEqualTo(new Shape(2, 5, 1, 110, 0));
        assertThat(o.duplicateFraction()).isEqualTo(0.1);
        assertThat(o.lateFraction()).isEqualTo(0.02);
        assertThat(o.lateGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.churnPerHour()).isEqualTo(0.5);
        assertThat(o.silentLeaveFraction()).isEqualTo(1.0);
        assertThat(o.rebootsPerHour()).isEqualTo(0.1);
        assertThat(o.restartsPerHour()).isEqualTo(0.2);
        assertThat(o.crashRestartFraction()).isZero();
        assertThat(o.faultyFraction()).isEqualTo(0.2);
        assertThat(o.stagger()).isTrue();
        assertThat(o.seed()).isEqualTo(-42L);
        assertThat(o.cluster()).isEqualTo("prod-eu");
        assertThat(o.nodePrefix()).isEqualTo("ip-10-0-");
        assertThat(o.manifest()).isEqualTo(dir.resolve("m.tsv"));
        assertThat(o.progress()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void help() throws Exception {
        assertThat(SimulatorOptions.parse("--help").help()).isTrue();
        assertThat(SimulatorOptions.parse("-h").help()).isTrue();
        assertThat(SimulatorOptions.usage()).contains("--nodes N", "--rate-multiplier X", "--pods N", "[30]",
                "--duplicate-fraction F", "--manifest FILE", "--stagger");
    }

    @Test
    void nodesAreRequired() {
        assertThatThrownBy(() -> SimulatorOptions.parse("--interval", "10s"))
                .isInstanceOf(SimulatorOptions.UsageException.class).hasMessageContaining("--nodes is required");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", "0", "--interval", "1500ms", "--pods", "many",
                "--duplicate-fraction", "1.5", "--fast", "--duration", "soon", "--cluster", "no spaces", "extra",
                "--seed", "x", "--late-grace"))
                .isInstanceOf(SimulatorOptions.UsageException.class)
                .hasMessageContaining("--nodes 0 is out of range (1 to 1,000,000)")
                .hasMessageContaining("--interval 1500ms must be whole seconds")
                .hasMessageContaining("--pods 'many' is not a whole number")
                .hasMessageContaining("--duplicate-fraction 1.5 is out of range (0 to 1)")
                .hasMessageContaining("unknown option '--fast'")
                .hasMessageContaining("--duration 'soon' is not a duration like 500ms, 10s, 5m, 2h or 1d")
                .hasMessageContaining("--cluster 'no spaces' must be")
                .hasMessageContaining("unknown argument 'extra'")
                .hasMessageContaining("--seed 'x' is not a whole number")
                .hasMessageContaining("--late-grace needs a value (DURATION)");
    }

    @Test
    void thousandsSeparatorsMustGroupByThrees() throws Exception {
        assertThat(SimulatorOptions.parse("--nodes", "1,000").nodes()).isEqualTo(1000);
        assertThat(SimulatorOptions.parse("--nodes", "1_000").nodes()).isEqualTo(1000);
        assertThat(SimulatorOptions.parse("--nodes", "12,345").nodes()).isEqualTo(12345);
        for (String bad : List.of("1,0", "10,00", ",100", "100,", "1,,000", "1,000_000", "1 000")) {
            assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", bad))
                    .isInstanceOf(SimulatorOptions.UsageException.class)
                    .hasMessageContaining("--nodes '" + bad + "' is not a whole number");
        }
        assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", "5", "--pods", "3,0"))
                .hasMessageContaining("--pods '3,0' is not a whole number");
    }

    @Test
    void aRateMultiplierAboveOneNeedsADuration() throws Exception {
        assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", "5", "--rate-multiplier", "60"))
                .hasMessageContaining("--rate-multiplier 60 needs --duration")
                .hasMessageContaining("never runs ahead of the clock");
        assertThat(SimulatorOptions.parse("--nodes", "5", "--rate-multiplier", "0.5").rateMultiplier()).isEqualTo(0.5);
        assertThat(SimulatorOptions.parse("--nodes", "5", "--rate-multiplier", "60", "--duration", "1m").duration())
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aFlagGivenTwiceOrAValueForASwitch() {
        assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", "5", "--nodes", "6", "--stagger=yes"))
                .hasMessageContaining("--nodes is given more than once")
                .hasMessageContaining("--stagger takes no value");
    }

    @Test
    void theManifestsDirectoryMustExist() {
        assertThatThrownBy(() -> SimulatorOptions.parse("--nodes", "5", "--manifest", "/nonexistent/dir/m.tsv"))
                .hasMessageContaining("directory /nonexistent/dir does not exist");
    }
}
