package io.mqchat.standalone;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.demo.ChatClient;
import io.mqchat.demo.RestClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The reference client's roaming behaviour on the whole stack: sync after connect, gaps in live delivery,
 * unread counts and read events, and a kicked device that stops for good.
 */
class ClientDemoSyncEndToEndTest {

    private static final String PASSWORD = "secret-pass-123";
    private static final String CONV = "d:dora:erin";

    @RegisterExtension
    static final RunningStack STACK = new RunningStack().users(PASSWORD, "dora", "erin", "finn", "gail", "hana", "ivan");
    private static final StackClient stackClient = STACK.client();

    @TempDir
    static Path stateDir;

    private static ChatClient login(String user, String device) throws Exception {
        return ChatClient.login(stackClient.apiUri(), user, PASSWORD, device, stateDir).withHistory(stackClient.historyUri());
    }

    private static void sendAll(ChatClient from, String to, int first, int last) throws Exception {
        List<CompletableFuture<ChatMessage>> sent = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            sent.add(from.send(to, "message " + i));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void missedMessagesArriveExactlyOnceInOrderAfterConnectAndAfterALostSessionAndReadingClearsUnread()
            throws Exception {
        List<ServerEvent> doraEvents = new CopyOnWriteArrayList<>();
        ChatClient dora = login("dora", "phone").onEvent(doraEvents::add);
        dora.connect(stackClient.mqttUri(), false);
        List<ChatMessage> erinGot = new CopyOnWriteArrayList<>();
        ChatClient erin = login("erin", "desktop").onMessage(erinGot::add);
        try {
            // erin is offline (never connected) while dora sends 300 messages
            sendAll(dora, "erin", 1, 300);
            erin.connect(stackClient.mqttUri(), false);
            await().atMost(Duration.ofSeconds(20)).until(() -> erinGot.size() >= 300);
            assertThat(erinGot).extracting(ChatMessage::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
            assertThat(erin.state().complete(CONV)).isEqualTo(300);
            assertThat(erin.state().syncCursor()).isNotNull();

            // unread is visible through the client, and reading clears it; dora's phone sees the read event
            await().atMost(Duration.ofSeconds(10)).until(() -> unread(erin) == 300);
            RestClient.ReadPosition read = erin.markRead(CONV);
            assertThat(read.readSeq()).isEqualTo(300);
            assertThat(read.unread()).isZero();
            assertThat(unread(erin)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> doraEvents.stream().anyMatch(e ->
                    e instanceof ServerEvent.Read r && r.by().equals("erin") && r.upTo() == 300));

            // live delivery loses messages: another connection of erin's desktop takes the session over with a
            // clean start (the broker forgets her subscription and queue) while dora keeps sending
            MqttAsyncClient intruder = stackClient.cleanStart("erin", "desktop", erin.token());
            sendAll(dora, "erin", 301, 320);
            try {
                intruder.disconnect().waitForCompletion(10_000);
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                // erin's client may have taken its session back already (it reconnects by itself): fine
                assertThat(e.getReasonCode()).isEqualTo(
                        (int) org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_CLIENT_ALREADY_DISCONNECTED);
            }
            intruder.close();
            // erin's client reconnects by itself, syncs, and fills any gap in live delivery
            sendAll(dora, "erin", 321, 330);
            await().atMost(Duration.ofSeconds(20)).until(() -> erinGot.size() >= 330);
            assertThat(erinGot).extracting(ChatMessage::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 330).boxed().toList());
            assertThat(erinGot.stream().map(ChatMessage::id).distinct().count()).isEqualTo(330);
            assertThat(erin.state().hasGaps()).isFalse();
        } finally {
            dora.close();
            erin.close();
        }
    }

    private static long unread(ChatClient client) throws Exception {
        return client.conversations().stream().filter(c -> c.conv().equals(CONV))
                .mapToLong(RestClient.Conversation::unread).sum();
    }

    @Test
    void aKickedDeviceReportsItAndDoesNotReconnect() throws Exception {
        List<ServerEvent> events = new CopyOnWriteArrayList<>();
        List<String> loggedOut = new CopyOnWriteArrayList<>();
        ChatClient finn = login("finn", "phone").onEvent(events::add).onLoggedOut(loggedOut::add);
        finn.connect(stackClient.mqttUri(), false);
        ChatClient gail = login("gail", "phone");
        gail.connect(stackClient.mqttUri(), true);
        try {
            // finn logs in on another phone: the old one is kicked and its token revoked
            new RestClient().login(stackClient.apiUri(), "finn", PASSWORD, "phone");
            await().atMost(Duration.ofSeconds(10)).until(() -> !loggedOut.isEmpty());
            assertThat(events).anyMatch(e -> e instanceof ServerEvent.Kick k && k.device().equals("phone"));
            assertThat(loggedOut).hasSize(1);
            assertThat(finn.loggedOutReason()).contains("log in again");
            // it stays offline: no reconnect loop
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> !finn.isConnected());
            assertThat(loggedOut).hasSize(1);
            // and its old token is refused by REST too (history-service checks the current login)
            assertThatThrownBy(finn::conversations).isInstanceOf(io.mqchat.demo.LoggedOutException.class);

            // MQTT 3.1.1: the same after the second login
            new RestClient().login(stackClient.apiUri(), "gail", PASSWORD, "phone");
            await().atMost(Duration.ofSeconds(10)).until(() -> gail.loggedOutReason() != null);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> !gail.isConnected());
        } finally {
            finn.close();
            gail.close();
        }
    }

    @Test
    void aRecallWhileTheDeviceWasOfflineWithoutASessionArrivesBySync() throws Exception {
        ChatClient hana = login("hana", "phone");
        hana.connect(stackClient.mqttUri(), false);
        List<ChatMessage> ivanGot = new CopyOnWriteArrayList<>();
        ChatClient ivan = login("ivan", "tablet").onMessage(ivanGot::add);
        ivan.connect(stackClient.mqttUri(), false);
        ChatMessage oops;
        try {
            oops = hana.send("ivan", "not for you").get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> ivanGot.size() == 1 && ivan.state().syncCursor() != null);
        } finally {
            ivan.close();
        }
        // ivan's broker session is gone (a clean start takes it over and ends it): no queued recall event
        MqttAsyncClient wipe = stackClient.cleanStart("ivan", "tablet", ivan.token());
        wipe.disconnect().waitForCompletion(10_000);
        wipe.close();
        try {
            // hana recalls the message ivan already has (REST)
            HttpResponse<String> recalled = stackClient.history("POST",
                    "/api/v1/conversations/d:hana:ivan/messages/" + oops.id() + "/recall", null, hana.token());
            assertThat(recalled.statusCode()).isEqualTo(200);

            // ivan comes back with his stored cursor: the sync after connect reports the recall as a recall event
            List<ServerEvent> events = new CopyOnWriteArrayList<>();
            ChatClient back = login("ivan", "tablet").onEvent(events::add);
            try {
                back.connect(stackClient.mqttUri(), false);
                await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(e ->
                        e instanceof ServerEvent.Recall r && r.id().equals(oops.id()) && r.conv().equals("d:hana:ivan")
                                && r.msgSeq() == oops.seq()));
                // a later sync does not report it again
                back.sync().get(20, TimeUnit.SECONDS);
                assertThat(events.stream().filter(e -> e instanceof ServerEvent.Recall)).hasSize(1);
            } finally {
                back.close();
            }
        } finally {
            hana.close();
        }
    }
}
