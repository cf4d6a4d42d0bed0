package io.mqchat.common.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    @Test
    void matchesTheHmacSha256VectorOfRfc4231() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?"
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.sign("Jefe", data))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void verifiesOnlyTheExactBodyWithTheRightSecret() {
        byte[] body = "{\"deliveryId\":\"1\",\"event\":\"webhook.test\"}".getBytes(StandardCharsets.UTF_8);
        String header = WebhookSignature.sign("a-secret-of-16-chars", body);
        assertThat(WebhookSignature.verify("a-secret-of-16-chars", body, header)).isTrue();
        assertThat(WebhookSignature.verify("a-secret-of-16-chart", body, header)).isFalse();
        byte[] tampered = "{\"deliveryId\":\"2\",\"event\":\"webhook.test\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.verify("a-secret-of-16-chars", tampered, header)).isFalse();
        assertThat(WebhookSignature.verify("a-secret-of-16-chars", body, header.substring(7))).isFalse();
        assertThat(WebhookSignature.verify("a-secret-of-16-chars", body, null)).isFalse();
    }
}
