package io.nodepulse.agent.simulate;

/**
 * How many devices of each kind a simulated node has.
 *
 * @param disks        block devices
 * @param filesystems  mounted filesystems
 * @param interfaces   network interfaces
 * @param pods         pods (kept at this count: a pod that ends is replaced by a new one)
 * @param thermalZones thermal zones
 */
public record Shape(int disks, int filesystems, int interfaces, int pods, int thermalZones) {
    /** 4 disks, 3 filesystems, 2 interfaces, 30 pods, 1 thermal zone. */
    public static final Shape DEFAULT = new Shape(4, 3, 2, 30, 1);

    public Shape {
        if (disks < 0 || filesystems < 0 || interfaces < 0 || pods < 0 || thermalZones < 0) {
            throw new IllegalArgumentException("device counts cannot be negative");
        }
    }
}
