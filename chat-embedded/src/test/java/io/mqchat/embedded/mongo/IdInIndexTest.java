package io.mqchat.embedded.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A non-unique index that names {@code _id} itself, such as {@code (from, _id desc)} (an admin's list of what a
 * user sent): queries fixing both fields find the document. Before, such an index was keyed by
 * {@code (from, _id, _id)} in its field list but by {@code (from, _id)} in its entries, so a query on both read an
 * empty range: a recall's conditional update ({@code _id}, {@code from}, ...) matched nothing.
 */
class IdInIndexTest {

    @Test
    void queriesOnAnIndexThatNamesTheIdFindTheirDocuments() {
        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory();
             MongoClient client = MongoClients.create(mongo.uri("t"))) {
            MongoCollection<Document> c = client.getDatabase("t").getCollection("m");
            c.createIndex(Indexes.ascending("from", "cid"), new IndexOptions().unique(true));
            c.createIndex(Indexes.compoundIndex(Indexes.ascending("from"), Indexes.descending("_id")));
            for (int i = 1; i <= 3; i++) {
                c.insertOne(new Document("_id", "a" + i).append("from", "u").append("cid", "c" + i).append("ts", i));
            }
            c.insertOne(new Document("_id", "a9").append("from", "v").append("cid", "c9").append("ts", 9));

            Bson both = Filters.and(Filters.eq("_id", "a1"), Filters.eq("from", "u"),
                    Filters.exists("recalledAt", false), Filters.gte("ts", 0));
            assertThat(c.find(both).first()).isNotNull();
            assertThat(c.findOneAndUpdate(both, Updates.set("recalledAt", 5))).isNotNull();
            assertThat(c.find(Filters.and(Filters.eq("_id", "a1"), Filters.eq("from", "u"))).first()
                    .getInteger("recalledAt")).isEqualTo(5);
            assertThat(c.find(Filters.and(Filters.eq("_id", "a1"), Filters.eq("from", "v"))).first()).isNull();

            // the pages a listing reads: one sender, newest id first, before a cursor
            assertThat(c.find(Filters.eq("from", "u")).sort(Sorts.descending("_id")).map(d -> d.getString("_id")))
                    .containsExactly("a3", "a2", "a1");
            assertThat(c.find(Filters.and(Filters.eq("from", "u"), Filters.lt("_id", "a3"))).sort(Sorts.descending("_id"))
                    .limit(1).map(d -> d.getString("_id"))).containsExactly("a2");

            // entries follow updates and deletes
            c.deleteOne(Filters.eq("_id", "a2"));
            assertThat(c.find(Filters.eq("from", "u")).sort(Sorts.descending("_id")).map(d -> d.getString("_id")))
                    .containsExactly("a3", "a1");
        }
    }
}
