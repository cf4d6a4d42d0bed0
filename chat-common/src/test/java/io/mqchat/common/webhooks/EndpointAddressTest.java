package io.mqchat.common.webhooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
            "192.168.0.1", "192.168.255.255", "169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "100.64.0.1",
            "100.127.255.255", "198.18.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255", "::1", "::",
            "fc00::1", "fd12:3456:789a::1", "fe80::1", "fec0::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
            "::ffff:169.254.169.254", "::ffff:192.168.1.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1"})
    void refusesNonPublicAddresses(String literal) throws Exception {
        assertThat(EndpointAddress.isPublic(InetAddress.getByName(literal))).as(literal).isFalse();
        URI uri = URI.create("http://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":8080/hook");
        assertThatThrownBy(() -> EndpointAddress.requirePublic(uri, false))
                .isInstanceOf(EndpointAddress.RefusedException.class).hasMessageContaining("non-public");
        assertThatCode(() -> EndpointAddress.requirePublic(uri, true)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "169.253.1.1",
            "100.63.255.255", "100.128.0.1", "11.0.0.1", "2001:4860:4860::8888", "2606:4700::1111",
            "::ffff:8.8.8.8", "64:ff9b::808:808"})
    void acceptsPublicAddresses(String literal) throws Exception {
        assertThat(EndpointAddress.isPublic(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    @Test
    void aHostNameThatResolvesToLoopbackIsRefusedUnlessPrivateIsAllowed() {
        URI uri = EndpointAddress.parse("http://localhost:9000/hook");
        assertThatThrownBy(() -> EndpointAddress.requirePublic(uri, false))
                .isInstanceOf(EndpointAddress.RefusedException.class).hasMessageContaining("non-public");
        assertThatCode(() -> EndpointAddress.requirePublic(uri, true)).doesNotThrowAnyException();
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        URI uri = EndpointAddress.parse("https://no-such-host.invalid/hook");
        assertThatThrownBy(() -> EndpointAddress.requirePublic(uri, false))
                .isInstanceOf(EndpointAddress.RefusedException.class).hasMessageContaining("does not resolve");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "file:///etc/passwd", "gopher://example.com", "javascript:alert(1)",
            "http://user:pass@example.com/", "http://user@example.com/", "http:///nohost", "not a url", "//example.com/x",
            "http://example.com/#frag", ""})
    void refusesUrlsOfTheWrongForm(String url) {
        assertThatThrownBy(() -> EndpointAddress.parse(url)).isInstanceOf(EndpointAddress.RefusedException.class);
    }

    @Test
    void refusesOverlongUrlsAndAcceptsPlainOnes() {
        String longUrl = "https://example.com/" + "a".repeat(EndpointAddress.MAX_URL_LENGTH);
        assertThatThrownBy(() -> EndpointAddress.parse(longUrl)).hasMessageContaining("at most 2048");
        assertThat(EndpointAddress.parse("https://hooks.example.com:8443/push?x=1").getHost()).isEqualTo("hooks.example.com");
        assertThat(EndpointAddress.parse("HTTP://example.com/").getScheme()).isEqualTo("HTTP");
    }
}
