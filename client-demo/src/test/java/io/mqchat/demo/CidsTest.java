package io.mqchat.demo;

import io.mqchat.common.protocol.Ids;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidsTest {

    @Test
    void cidsAreUniqueValidAndNameTheDevice() {
        Set<String> cids = new HashSet<>();
        IntStream.range(0, 10_000).parallel().mapToObj(i -> Cids.next("phone")).forEach(cid -> {
            synchronized (cids) {
                cids.add(cid);
            }
        });
        assertThat(cids).hasSize(10_000).allSatisfy(cid -> {
            assertThat(cid).startsWith("phone-");
            assertThat(Ids.isValidClientMessageId(cid)).isTrue();
        });
    }

    @Test
    void longestDeviceTypeStillFitsTheCidLimit() {
        String cid = Cids.next("abcdefghijklmnop");
        assertThat(cid.length()).isLessThanOrEqualTo(64);
        assertThat(Ids.isValidClientMessageId(cid)).isTrue();
    }

    @Test
    void refusesDeviceTypesThatWouldMakeAnInvalidCid() {
        assertThatThrownBy(() -> Cids.next("phone with spaces")).isInstanceOf(IllegalArgumentException.class);
    }
}
