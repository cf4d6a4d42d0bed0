package io.mqchat.api.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The subject of per-address limits. */
class ClientAddressTest {

    @Test
    void ipv4IsTheAddressItself() {
        assertThat(ClientAddress.subject("203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void ipv6CountsByItsSlash64() {
        assertThat(ClientAddress.subject("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.subject("2001:db8:1:2::1")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.subject("[2001:db8:1:2::1]")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.subject("fe80:0:0:0:0:0:0:1%eth0")).isEqualTo("fe80:0:0:0::/64");
        assertThat(ClientAddress.subject("2001:db8:1:3::1")).isNotEqualTo(ClientAddress.subject("2001:db8:1:2::1"));
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4One() {
        assertThat(ClientAddress.subject("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void oddValuesAreKeptAsTheyAreWithoutALookup() {
        assertThat(ClientAddress.subject("not:an:address.example.com")).isEqualTo("not:an:address.example.com");
        assertThat(ClientAddress.subject(null)).isEqualTo("unknown");
        assertThat(ClientAddress.subject("")).isEqualTo("unknown");
    }
}
