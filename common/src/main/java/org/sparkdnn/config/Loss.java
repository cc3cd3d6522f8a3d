package org.sparkdnn.config;

/**
 * Training losses. Each takes the raw network output (logits for the classification losses): the output transform
 * (softmax, sigmoid) is applied only at prediction time, never inside training.
 * <ul>
 *   <li>{@code l1}: |f(x) − y| summed over outputs</li>
 *   <li>{@code l2}: |f(x) − y|² summed over outputs</li>
 *   <li>{@code mse}: squared error averaged over outputs</li>
 *   <li>{@code bceWithLogits}: binary cross-entropy on a logit, labels 0/1</li>
 *   <li>{@code softmaxCrossEntropy}: −log softmax(f(x))_y, labels 0..C−1</li>
 * </ul>
 */
public enum Loss implements Keyed {
    L1, L2, MSE, BCE_WITH_LOGITS, SOFTMAX_CROSS_ENTROPY;

    /** Whether labels are class indices (accuracy is reported). */
    public boolean isClassification() {
        return this == BCE_WITH_LOGITS || this == SOFTMAX_CROSS_ENTROPY;
    }
}
