package org.sparkdnn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which settings are secret (Spark's rule plus Hadoop's credentials), and what a written config shows of them. */
class RedactionTest {
    private final ConfigLoader loader = new ConfigLoader();

    @ParameterizedTest(name = "{0} secret: {1}")
    @CsvSource({
            "spark.authenticate.secret, true",
            "spark.hadoop.fs.s3a.secret.key, true",
            "spark.hadoop.fs.s3a.access.key, true",
            "spark.hadoop.fs.s3a.session.token, true",
            "spark.ssl.keyStorePassword, true",
            "spark.hadoop.fs.azure.account.key.acct.blob.core.windows.net, true",
            "spark.hadoop.fs.gs.auth.service.account.private.key, true",
            "spark.hadoop.fs.azure.sas.token.provider.type, true",
            "spark.executor.memory, false",
            "spark.hadoop.fs.defaultFS, false",
            "spark.authenticate, false"})
    void sparksDefaultRuleAndHadoopsCredentialKeysDecideWhatIsSecret(String key, boolean secret) {
        assertEquals(secret, Redaction.of(Map.of()).secret(key));
    }

    @Test
    void aRunsOwnRedactionRegexIsHonouredAndHadoopCredentialsStaySecret() {
        Redaction own = Redaction.of(Map.of("spark.redaction.regex", "(?i)mine"));
        assertTrue(own.secret("spark.my.mine.value"));
        assertFalse(own.secret("spark.authenticate.secret"), "the run replaced Spark's default rule");
        assertTrue(own.secret("spark.hadoop.fs.azure.account.key.x"), "Hadoop's credential keys always");
    }

    @Test
    void theWrittenConfigRedactsSecretsAndUriPasswordsButTheRunKeepsTheRealValues() {
        RunConfig config = loader.parse("test", "data: {train: 's3a://AKIA123:wJalrXUt@bucket/train.csv'}\n",
                List.of("cluster.spark={spark.authenticate.secret: hunter2, spark.executor.memory: 2g}"));
        assertEquals("hunter2", config.cluster().spark().get("spark.authenticate.secret"), "the run uses it");
        JsonNode written = loader.toTree(config);
        assertEquals(Redaction.PLACEHOLDER, written.path("cluster").path("spark").path("spark.authenticate.secret")
                .asText());
        assertEquals("2g", written.path("cluster").path("spark").path("spark.executor.memory").asText());
        assertEquals("s3a://AKIA123:" + Redaction.PLACEHOLDER + "@bucket/train.csv",
                written.path("data").path("train").asText());
        String yaml = loader.toYaml(config);
        assertFalse(yaml.contains("hunter2") || yaml.contains("wJalrXUt"), yaml);
    }

    @Test
    void aRedactedValueReadBackIsRefusedNamingTheKeyToGiveAgain() {
        RunConfig config = loader.parse("test", "data: {train: x.csv}\n",
                List.of("cluster.spark={spark.authenticate.secret: hunter2}"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parseWritten("run/config.yaml", loader.toYaml(config), List.of()));
        assertTrue(e.getMessage().contains("spark.authenticate.secret") && e.getMessage().contains("was redacted"),
                e.getMessage());
        RunConfig again = loader.parseWritten("run/config.yaml", loader.toYaml(config),
                List.of("cluster.spark={spark.authenticate.secret: hunter2}"));
        assertEquals("hunter2", again.cluster().spark().get("spark.authenticate.secret"));
    }

    @Test
    void anOverrideNamingASecretIsShownWithoutItsValue() {
        Redaction rule = Redaction.of(Map.of());
        assertEquals("cluster.spark=" + Redaction.PLACEHOLDER,
                rule.redactOverride("cluster.spark={spark.authenticate.secret: hunter2}"));
        assertEquals("cluster.spark.spark.hadoop.fs.s3a.secret.key=" + Redaction.PLACEHOLDER,
                rule.redactOverride("cluster.spark.spark.hadoop.fs.s3a.secret.key=abc"));
        assertEquals("training.epochs=3", rule.redactOverride("training.epochs=3"));
    }
}
