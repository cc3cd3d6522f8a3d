package org.sparkdnn.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** The GPU a task binds to is the first address Spark assigned it (no GPU here: the binding itself is untested). */
class GpuBindingTest {
    @Test
    void usesTheFirstAssignedGpuAddress() {
        assertEquals(Optional.of(1), GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[] {"1", "3"}))));
    }

    @Test
    void aTaskWithoutGpusBindsNothing() {
        assertEquals(Optional.empty(), GpuBinding.assignedDevice(Map.of()));
        assertEquals(Optional.empty(), GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[0]))));
    }

    @Test
    void aNonNumericAddressFailsNamingTheDiscoveryScript() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBinding.assignedDevice(
                Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-8e1f"}))));
        assertTrue(e.getMessage().contains("discovery script"), e.getMessage());
    }
}
