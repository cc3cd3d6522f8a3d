package org.sparkdnn.data;

import java.util.Optional;
import org.sparkdnn.model.IoShape;

/**
 * The scaled train/validation/test examples of a run.
 *
 * @param classes number of classes, 0 for regression
 * @param shape   network input and output widths
 * @param scaler  the feature scaling fitted on the training split (applied to all three; new inputs need it too)
 */
public record Splits(Examples train, Optional<Examples> validation, Optional<Examples> test, int classes, IoShape shape,
                     Scaler scaler) {
}
