package io.mqchat.api.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Blocks: what they end, what they keep away (contact requests, group invitations and additions), the limits. */
class BlocksEndToEndTest extends ContactsApiTestBase {

    private TestHttp.Response block(String blocker, String blocked) {
        return call("PUT", "/api/v1/blocks/" + blocked, null, blocker);
    }

    @Test
    void blockingEndsTheContactAndRequestsBothWaysAndRecordsItForBoth() {
        String amy = user();
        String ben = user();
        String cat = user();
        befriend(amy, ben);
        assertStatus(request(amy, cat, null), 201);
        String dan = user();
        assertStatus(request(dan, amy, null), 201);
        long benBefore = version(ben);
        long amyBefore = version(amy);

        assertStatus(block(amy, ben), 204);
        assertStatus(block(amy, cat), 204);
        assertStatus(block(amy, dan), 204);
        assertThat(contactStored(amy, ben)).isFalse();
        assertThat(contactStored(ben, amy)).isFalse();
        assertThat(requestStored(amy, cat)).isFalse();
        assertThat(requestStored(dan, amy)).isFalse();
        assertThat(changesSince(amy, amyBefore)).containsExactly("removed:" + ben, "blocked:" + ben,
                "cancelled:" + cat, "blocked:" + cat, "declined:" + dan, "blocked:" + dan);
        assertThat(changesSince(ben, benBefore)).as("the blocked user is not told of the block")
                .containsExactly("removed:" + amy);
        assertThat(changesSince(cat, 1)).containsExactly("cancelled:" + amy);
        assertThat(changesSince(dan, 1)).containsExactly("declined:" + amy);
        List<JsonNode> toBen = awaitEvents(ben, (int) benBefore + 1);
        assertThat(toBen).noneMatch(e -> e.get("change").asText().equals("blocked"));

        TestHttp.Response list = call("GET", "/api/v1/blocks", null, amy);
        assertStatus(list, 200);
        assertThat(list.json().get("items")).extracting(n -> n.get("userId").asText())
                .containsExactlyElementsOf(List.of(ben, cat, dan).stream().sorted().toList());

        assertStatus(block(amy, ben), 204);
        assertThat(version(amy)).as("blocking again changes nothing").isEqualTo(amyBefore + 6);
        assertStatus(call("DELETE", "/api/v1/blocks/" + ben, null, amy), 204);
        assertStatus(call("DELETE", "/api/v1/blocks/" + ben, null, amy), 204);
        assertThat(changesSince(amy, amyBefore + 6)).containsExactly("unblocked:" + ben);
        assertThat(contactStored(amy, ben)).as("unblocking brings nothing back").isFalse();
    }

    @Test
    void aBlockedUsersContactRequestIsRefusedWithoutSayingWhy() {
        String eve = user();
        String fay = user();
        assertStatus(block(eve, fay), 204);
        TestHttp.Response refused = request(fay, eve, "please");
        assertProblem(refused, 403, "You cannot send a contact request to this user.");
        assertThat(refused.raw().body().toLowerCase()).doesNotContain("block");
        assertThat(requestStored(fay, eve)).isFalse();
        assertProblem(request(eve, fay, null), 409, "unblock them first");
        assertStatus(call("DELETE", "/api/v1/blocks/" + fay, null, eve), 204);
        assertStatus(request(fay, eve, null), 201);
    }

    @Test
    void aBlockedUserCannotInviteOrAddTheBlockerToAGroup() {
        String gus = user();
        String hal = user();
        String ivy = user();
        assertStatus(block(gus, hal), 204);
        TestHttp.Response created = call("POST", "/api/v1/groups", "{\"name\":\"Trap\",\"members\":[\"" + gus
                + "\",\"" + ivy + "\"]}", hal);
        assertProblem(created, 403, "You cannot add or invite these users: " + gus + ".");
        assertThat(created.raw().body().toLowerCase()).doesNotContain("block");

        TestHttp.Response group = call("POST", "/api/v1/groups", "{\"name\":\"Team\",\"members\":[\"" + ivy + "\"]}", hal);
        assertStatus(group, 201);
        String groupId = group.json().get("groupId").asText();
        assertProblem(call("POST", "/api/v1/groups/" + groupId + "/invitations", "{\"userIds\":[\"" + gus + "\"]}", hal),
                403, "You cannot add or invite these users");
        assertProblem(call("POST", "/api/v1/groups/" + groupId + "/members", "{\"userIds\":[\"" + gus + "\"]}", hal),
                403, "You cannot add or invite these users");
        assertThat(call("GET", "/api/v1/invitations", null, gus).json().get("items")).isEmpty();
        // the block is one way: gus's own group may still include hal, and others may invite gus
        assertStatus(call("POST", "/api/v1/groups/" + groupId + "/invitations", "{\"userIds\":[\"" + gus + "\"]}", ivy),
                201);
    }

    @Test
    void blocksAreCappedAndYouCannotBlockYourselfOrTheServer() {
        String jon = user();
        for (int i = 0; i < MAX_BLOCKS; i++) {
            assertStatus(block(jon, user()), 204);
        }
        assertProblem(block(jon, user()), 409, "at most " + MAX_BLOCKS);
        assertProblem(block(jon, jon), 400, "That is you");
        assertProblem(block(jon, "system"), 400, "belongs to the server");
        assertProblem(block(jon, "no-such-user-x"), 404, "No such user");
        assertProblem(block(jon, "a$b"), 400, "user id");
        assertProblem(call("DELETE", "/api/v1/blocks/a%7Cb", null, jon), 400, "user id");
    }
}
