package org.sparkdnn.config;

import java.util.List;

/** Weight initialisation: Xavier/Glorot, He/Kaiming, LeCun (normal), Normal(0, initScale), Uniform(±initScale). */
public enum WeightInit implements Keyed {
    XAVIER, HE, LECUN, NORMAL, UNIFORM;

    @Override
    public List<String> aliases() {
        switch (this) {
            case XAVIER: return List.of("glorot");
            case HE: return List.of("kaiming");
            default: return List.of();
        }
    }
}
