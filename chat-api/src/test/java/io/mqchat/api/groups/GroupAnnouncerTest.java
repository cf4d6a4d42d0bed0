package io.mqchat.api.groups;

import io.mqchat.api.devices.BrokerBus;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.common.store.GroupEventLog;
import io.mqchat.common.webhooks.WebhookOutbox;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The membership is the record: a failing event store or bus after it does not fail the request. */
class GroupAnnouncerTest {

    @Test
    void aFailedEventWriteStillMovesSubscriptionsWithoutPayload() {
        GroupEventLog log = mock(GroupEventLog.class);
        BrokerBus bus = mock(BrokerBus.class);
        when(log.write(anyString(), anyLong(), anyString(), any())).thenThrow(new IllegalStateException("mongo down"));
        GroupAnnouncer announcer = new GroupAnnouncer(log, bus, mock(WebhookOutbox.class));

        assertThatCode(() -> announcer.announce("g1234", 7L, "alice", GroupEvents.membersAdded(List.of("bob")),
                List.of("bob"), List.of())).doesNotThrowAnyException();

        ArgumentCaptor<BusMessage> sent = ArgumentCaptor.forClass(BusMessage.class);
        verify(bus).send(sent.capture());
        assertThat(sent.getValue()).isInstanceOf(BusMessage.GroupChange.class);
        BusMessage.GroupChange change = (BusMessage.GroupChange) sent.getValue();
        assertThat(change.groupId()).isEqualTo("g1234");
        assertThat(change.subscribe()).containsExactly("bob");
        assertThat(change.payload()).isNull();
    }

    @Test
    void aFailedBusSendDoesNotFailTheChange() {
        GroupEventLog log = mock(GroupEventLog.class);
        BrokerBus bus = mock(BrokerBus.class);
        when(log.append(anyString(), anyString(), any())).thenThrow(new IllegalStateException("redis down"));
        doThrow(new IllegalStateException("redis down")).when(bus).send(any());
        GroupAnnouncer announcer = new GroupAnnouncer(log, bus, mock(WebhookOutbox.class));

        assertThatCode(() -> announcer.announce("g1234", "alice", GroupEvents.groupMuted())).doesNotThrowAnyException();
    }

    @Test
    void aSeqThatCannotBeReservedRefusesTheChangeWith503() {
        GroupEventLog log = mock(GroupEventLog.class);
        when(log.reserveSeq(anyString())).thenThrow(new IllegalStateException("sequence allocation timed out"));
        GroupAnnouncer announcer = new GroupAnnouncer(log, mock(BrokerBus.class), mock(WebhookOutbox.class));

        assertThatCode(() -> announcer.reserveSeq("g1234"))
                .isInstanceOfSatisfying(io.mqchat.web.ApiException.class,
                        e -> assertThat(e.status().value()).isEqualTo(503));
    }
}
