package org.sparkdnn.config;

import java.util.List;

/**
 * Weight initialisation: Xavier/Glorot, He/Kaiming, LeCun (normal), Normal(0, initScale), Uniform(±initScale), and
 * {@code torch}: PyTorch's default for linear and convolution layers, U(±1/√fanIn).
 */
public enum WeightInit implements Keyed {
    XAVIER, HE, LECUN, NORMAL, UNIFORM, TORCH;

    @Override
    public List<String> aliases() {
        switch (this) {
            case XAVIER: return List.of("glorot");
            case HE: return List.of("kaiming");
            case TORCH: return List.of("pytorch");
            default: return List.of();
        }
    }
}
