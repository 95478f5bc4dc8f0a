package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// testStore runs a store on a free loopback port with its data in dir and returns a client.
type testStore struct {
	t      *testing.T
	dir    string
	l      net.Listener
	srv    *server
	client *mongo.Client
}

func startTestStore(t *testing.T, dir string) *testStore {
	t.Helper()
	st, err := openStorage(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &server{
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), started: time.Now(), st: st,
		slowLog: time.Hour, cursors: map[int64]*cursor{}, top: map[string]*nsCounters{},
	}
	go srv.serve(l)
	client, err := mongo.Connect(context.Background(), options.Client().ApplyURI("mongodb://"+l.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	ts := &testStore{t: t, dir: dir, l: l, srv: srv, client: client}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testStore) stop() {
	if ts.client == nil {
		return
	}
	ts.client.Disconnect(context.Background())
	ts.l.Close()
	ts.srv.mu.Lock()
	ts.srv.st.close()
	ts.srv.mu.Unlock()
	ts.client = nil
}

func (ts *testStore) coll(name string) *mongo.Collection {
	return ts.client.Database("test").Collection(name)
}

var ctx = context.Background()

// must returns v, or fails the test (by panicking) when err is set.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// winning returns the stage names of an explain's winning plan, outermost first.
func winning(t *testing.T, c *mongo.Collection, cmd bson.D) (stages []string, docsExamined, returned int32) {
	t.Helper()
	var out bson.M
	err := c.Database().RunCommand(ctx, bson.D{{Key: "explain", Value: cmd}, {Key: "verbosity", Value: "executionStats"}}).Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	plan := out["queryPlanner"].(bson.M)["winningPlan"].(bson.M)
	for plan != nil {
		stages = append(stages, plan["stage"].(string))
		next, _ := plan["inputStage"].(bson.M)
		plan = next
	}
	stats := out["executionStats"].(bson.M)
	return stages, stats["totalDocsExamined"].(int32), stats["nReturned"].(int32)
}

func TestUniqueIndexRefusesDuplicatesWithE11000(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("emails")
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "eventId", Value: 1}, {Key: "template", Value: 1}}, Options: options.Index().SetUnique(true)}))
	must(c.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "eventId", Value: "evt_1"}, {Key: "template", Value: "receipt"}}))
	_, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "b"}, {Key: "eventId", Value: "evt_1"}, {Key: "template", Value: "receipt"}})
	var we mongo.WriteException
	if !errors.As(err, &we) || !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("want a duplicate key error, got %v", err)
	}
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate _id: want E11000, got %v", err)
	}
	// An update that would collide is refused and changes nothing.
	must(c.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "eventId", Value: "evt_2"}, {Key: "template", Value: "receipt"}}))
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "eventId", Value: "evt_1"}}}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("colliding update: want E11000, got %v", err)
	}
	n := must(c.CountDocuments(ctx, bson.D{{Key: "eventId", Value: "evt_2"}}))
	if n != 1 {
		t.Fatalf("the refused update must leave the document as it was, found %d", n)
	}
}

func TestSecondaryIndexesServeEqualityRangeAndSort(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("messages")
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "dueAt", Value: 1}}}))
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}, {Key: "createdAt", Value: -1}}}))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var docs []any
	for i := 0; i < 2000; i++ {
		status := "delivered"
		if i%100 == 0 {
			status = "pending"
		}
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "status", Value: status},
			{Key: "dueAt", Value: base.Add(time.Duration(i) * time.Minute)},
			{Key: "email", Value: []string{"a@x", "b@x", "c@x"}[i%3]}, {Key: "createdAt", Value: base.Add(time.Duration(i) * time.Second)}})
	}
	must(c.InsertMany(ctx, docs))

	due := bson.D{{Key: "status", Value: "pending"}, {Key: "dueAt", Value: bson.D{{Key: "$lte", Value: base.Add(1000 * time.Minute)}}}}
	cur := must(c.Find(ctx, due, options.Find().SetSort(bson.D{{Key: "dueAt", Value: 1}}).SetLimit(5)))
	var got []bson.M
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0]["_id"] != int32(0) || got[4]["_id"] != int32(400) {
		t.Fatalf("due messages in order: %v", got)
	}
	stages, examined, returned := winning(t, c, bson.D{{Key: "find", Value: "messages"}, {Key: "filter", Value: due}, {Key: "sort", Value: bson.D{{Key: "dueAt", Value: 1}}}, {Key: "limit", Value: 5}})
	if stages[len(stages)-1] != "IXSCAN" || contains(stages, "SORT") || examined != returned {
		t.Fatalf("due poll plan %v examined %d returned %d", stages, examined, returned)
	}

	// Newest first for one customer, from a descending compound index, without sorting.
	cmd := bson.D{{Key: "find", Value: "messages"}, {Key: "filter", Value: bson.D{{Key: "email", Value: "b@x"}}}, {Key: "sort", Value: bson.D{{Key: "createdAt", Value: -1}}}, {Key: "limit", Value: 3}}
	stages, examined, _ = winning(t, c, cmd)
	if contains(stages, "SORT") || contains(stages, "COLLSCAN") || examined != 3 {
		t.Fatalf("listing plan %v examined %d", stages, examined)
	}
	cur = must(c.Find(ctx, bson.D{{Key: "email", Value: "b@x"}}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}}).SetLimit(2)))
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0]["_id"] != int32(1) || got[1]["_id"] != int32(4) {
		t.Fatalf("oldest first (a backward scan): %v", got)
	}
	// Read in index order only for the sort: the first field's bounds say the whole index is read.
	var out bson.M
	err := c.Database().RunCommand(ctx, bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: "messages"},
		{Key: "filter", Value: bson.D{{Key: "x", Value: 1}}}, {Key: "sort", Value: bson.D{{Key: "email", Value: 1}}}}},
		{Key: "verbosity", Value: "queryPlanner"}}).Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	scan := out["queryPlanner"].(bson.M)["winningPlan"].(bson.M)["inputStage"].(bson.M)
	if bounds := scan["indexBounds"].(bson.M)["email"].(bson.A); len(bounds) != 1 || bounds[0] != "[MinKey, MaxKey]" {
		t.Fatalf("a sort-only index scan: %v", scan)
	}
	// Without an index on the field the store says so: COLLSCAN.
	stages, _, _ = winning(t, c, bson.D{{Key: "find", Value: "messages"}, {Key: "filter", Value: bson.D{{Key: "unindexed", Value: 1}}}})
	if stages[0] != "COLLSCAN" {
		t.Fatalf("unindexed filter plan: %v", stages)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestArrayFieldsAreIndexedPerElement(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("endpoints")
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "events", Value: 1}}}))
	must(c.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "events", Value: bson.A{"*"}}},
		bson.D{{Key: "_id", Value: 2}, {Key: "events", Value: bson.A{"order.paid", "order.refunded"}}},
		bson.D{{Key: "_id", Value: 3}, {Key: "events", Value: bson.A{"order.refunded"}}},
		bson.D{{Key: "_id", Value: 4}, {Key: "events", Value: bson.A{}}},
		bson.D{{Key: "_id", Value: 5}, {Key: "scores", Value: bson.A{3, 12}}},
	}))
	cur := must(c.Find(ctx, bson.D{{Key: "events", Value: bson.D{{Key: "$in", Value: bson.A{"order.paid", "*"}}}}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})))
	var got []bson.M
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0]["_id"] != int32(1) || got[1]["_id"] != int32(2) {
		t.Fatalf("endpoints for order.paid: %v", got)
	}
	// A range on a multikey field matches when different elements satisfy each bound.
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "scores", Value: 1}}}))
	n := must(c.CountDocuments(ctx, bson.D{{Key: "scores", Value: bson.D{{Key: "$gt", Value: 5}, {Key: "$lt", Value: 10}}}}))
	if n != 1 {
		t.Fatalf("[3, 12] has an element > 5 and one < 10: want 1, got %d", n)
	}
}

func TestUpdateOperatorsAndUpserts(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("customers")
	must(c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "ada@x"}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "createdAt", Value: "t1"}}}, {Key: "$set", Value: bson.D{{Key: "tier", Value: "pro"}}}, {Key: "$inc", Value: bson.D{{Key: "orders", Value: 1}}}},
		options.Update().SetUpsert(true)))
	must(c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "ada@x"}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "createdAt", Value: "t2"}}}, {Key: "$inc", Value: bson.D{{Key: "orders", Value: 2}}},
			{Key: "$addToSet", Value: bson.D{{Key: "ids", Value: bson.D{{Key: "$each", Value: bson.A{"cus_1", "cus_2", "cus_1"}}}}}},
			{Key: "$push", Value: bson.D{{Key: "log", Value: bson.D{{Key: "$each", Value: bson.A{1, 2, 3}}, {Key: "$slice", Value: -2}}}}},
			{Key: "$unset", Value: bson.D{{Key: "tier", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "profile.name", Value: "Ada"}}}},
		options.Update().SetUpsert(true)))
	var got bson.M
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "ada@x"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["createdAt"] != "t1" || got["orders"] != int32(3) || got["tier"] != nil || got["profile"].(bson.M)["name"] != "Ada" {
		t.Fatalf("after updates: %v", got)
	}
	if ids := got["ids"].(bson.A); len(ids) != 2 {
		t.Fatalf("$addToSet kept duplicates: %v", ids)
	}
	if log := got["log"].(bson.A); len(log) != 2 || log[0] != int32(2) {
		t.Fatalf("$push with $slice -2: %v", log)
	}
	res := must(c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "ada@x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "orders", Value: 3}}}}))
	if res.MatchedCount != 1 || res.ModifiedCount != 0 {
		t.Fatalf("a no-op update matches but modifies nothing: %+v", res)
	}
	var after bson.M
	err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "ada@x"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "orders", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil || after["orders"] != int32(4) {
		t.Fatalf("findOneAndUpdate returning the new document: %v %v", after, err)
	}
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "ada@x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "_id", Value: "other"}}}}); err == nil {
		t.Fatal("changing _id must fail")
	}
	del := must(c.DeleteMany(ctx, bson.D{{Key: "orders", Value: bson.D{{Key: "$gte", Value: 4}}}}))
	if del.DeletedCount != 1 {
		t.Fatalf("deleted %d", del.DeletedCount)
	}
}

func TestCursorsAggregationAndRestart(t *testing.T) {
	dir := t.TempDir()
	ts := startTestStore(t, dir)
	c := ts.coll("payments")
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "orderId", Value: 1}}}))
	var docs []any
	for i := 0; i < 250; i++ {
		docs = append(docs, bson.D{{Key: "orderId", Value: []string{"o1", "o2"}[i%2]}, {Key: "amount", Value: i}})
	}
	must(c.InsertMany(ctx, docs))
	cur := must(c.Find(ctx, bson.D{}, options.Find().SetBatchSize(40)))
	var all []bson.M
	if err := cur.All(ctx, &all); err != nil || len(all) != 250 {
		t.Fatalf("getMore batches: %d %v", len(all), err)
	}
	agg := must(c.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: "amount", Value: bson.D{{Key: "$gte", Value: 100}}}}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$orderId"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}, {Key: "total", Value: bson.D{{Key: "$sum", Value: "$amount"}}}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	}))
	var groups []bson.M
	if err := agg.All(ctx, &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0]["_id"] != "o1" || groups[0]["n"] != int32(75) || groups[1]["total"] != int32(13125) {
		t.Fatalf("groups: %v", groups)
	}

	ts.stop()
	again := startTestStore(t, dir)
	c = again.coll("payments")
	n := must(c.CountDocuments(ctx, bson.D{{Key: "orderId", Value: "o2"}}))
	if n != 125 {
		t.Fatalf("after a restart: %d documents of o2", n)
	}
	stages, _, _ := winning(t, c, bson.D{{Key: "find", Value: "payments"}, {Key: "filter", Value: bson.D{{Key: "orderId", Value: "o2"}}}})
	if stages[len(stages)-1] != "IXSCAN" {
		t.Fatalf("the index survives a restart: %v", stages)
	}
	if _, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetExpireAfterSeconds(60)}); err == nil {
		t.Fatal("a TTL index must be refused, not silently ignored")
	}
}

func TestUnknownOperatorsAreRefused(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("x")
	must(c.InsertOne(ctx, bson.D{{Key: "a", Value: 1}}))
	if _, err := c.Find(ctx, bson.D{{Key: "a", Value: bson.D{{Key: "$near", Value: 1}}}}); err == nil {
		t.Fatal("an unknown query operator must fail, not match nothing")
	}
	if _, err := c.UpdateOne(ctx, bson.D{}, bson.D{{Key: "$frobnicate", Value: bson.D{{Key: "a", Value: 1}}}}); err == nil {
		t.Fatal("an unknown update operator must fail")
	}
	var doc primitive.D
	if err := c.FindOne(ctx, bson.D{{Key: "a", Value: 1}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
}

// Keyset pagination newest first: `createdAt < c OR (createdAt = c AND _id < id)` reads two index
// intervals, not the collection.
func TestKeysetPaginationUsesTheIndexThroughAnOrPlan(t *testing.T) {
	ts := startTestStore(t, t.TempDir())
	c := ts.coll("orders")
	must(c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}}))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var docs []any
	for i := 0; i < 3000; i++ {
		// Three orders per second, so a page boundary falls inside a second.
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("ord_%05d", i)}, {Key: "createdAt", Value: base.Add(time.Duration(i/3) * time.Second)}})
	}
	must(c.InsertMany(ctx, docs))
	newestFirst := bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}
	var seen []string
	filter := bson.D{}
	for page := 0; page < 4; page++ {
		cur := must(c.Find(ctx, filter, options.Find().SetSort(newestFirst).SetLimit(7)))
		var got []bson.M
		if err := cur.All(ctx, &got); err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			seen = append(seen, d["_id"].(string))
		}
		last := got[len(got)-1]
		at := last["createdAt"].(primitive.DateTime)
		filter = bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "createdAt", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: last["_id"]}}}},
		}}}
	}
	for i, id := range seen {
		if want := fmt.Sprintf("ord_%05d", 2999-i); id != want {
			t.Fatalf("item %d of the pages: %s, want %s", i, id, want)
		}
	}
	var explained bson.M
	cmd := bson.D{{Key: "find", Value: "orders"}, {Key: "filter", Value: filter}, {Key: "sort", Value: newestFirst}, {Key: "limit", Value: 7}}
	if err := c.Database().RunCommand(ctx, bson.D{{Key: "explain", Value: cmd}, {Key: "verbosity", Value: "executionStats"}}).Decode(&explained); err != nil {
		t.Fatal(err)
	}
	plan := explained["queryPlanner"].(bson.M)["winningPlan"].(bson.M)
	merge := plan["inputStage"].(bson.M)
	if merge["stage"] != "SORT_MERGE" || merge["inputStage"].(bson.M)["stage"] != "OR" {
		t.Fatalf("plan: %v", plan)
	}
	if examined := explained["executionStats"].(bson.M)["totalDocsExamined"].(int32); examined > 14 {
		t.Fatalf("a page of 7 read %d documents", examined)
	}
}
