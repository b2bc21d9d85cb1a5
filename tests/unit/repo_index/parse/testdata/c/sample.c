// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-style sample for the C golden test.
 */
#include <linux/list.h>
#include "internal.h"

#define MAX_ITEMS 16
#define item_ok(x) ((x) != NULL)

/**
 * struct item - one entry of the queue
 * @next: link
 */
struct item {
	struct list_head next;
	int (*handler)(struct item *it, void *data);
	unsigned long flags;
};

union value {
	int i;
	long l;
};

enum state { STATE_IDLE, STATE_BUSY = 2 };

typedef struct {
	int x;
	int y;
} point_t;

typedef int (*item_fn)(struct item *);

static LIST_HEAD(item_list);
static int item_count = 0;
extern int other_count;
int declared_only(int a);

/* Adds an item; returns 0. */
static int __init item_add(struct item *it)
{
	list_add(&it->next, &item_list);
	item_count++;
	return item_ok(it) ? 0 : -1;
}

static struct item *
item_find(unsigned long flags)
{
	struct item *it;

	list_for_each_entry(it, &item_list, next) {
		if (it->flags == flags)
			return it;
	}
	return NULL;
}

SYSCALL_DEFINE2(item_op, int, op, point_t __user *, where)
{
	return ksys_item_op(op, where);
}

asmlinkage long sys_items(void)
{
	return item_count;
}

static noinline void __attribute__((unused)) item_drop(struct item *it)
{
	it->handler(it, NULL);
}
EXPORT_SYMBOL(item_drop);
