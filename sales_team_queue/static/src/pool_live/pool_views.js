/** @odoo-module **/

import { registry } from "@web/core/registry";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { listView } from "@web/views/list/list_view";
import { ListController } from "@web/views/list/list_controller";

import { usePoolLive } from "./pool_live_hook";

/** The Lead Pool's kanban: follows the pools live. */
export class PoolKanbanController extends KanbanController {
    setup() {
        super.setup();
        usePoolLive(this.model);
    }
}

/** The Lead Pool's list: follows the pools live. */
export class PoolListController extends ListController {
    setup() {
        super.setup();
        usePoolLive(this.model);
    }
}

registry.category("views").add("sales_team_queue_pool_kanban", {
    ...kanbanView,
    Controller: PoolKanbanController,
});
registry.category("views").add("sales_team_queue_pool_list", {
    ...listView,
    Controller: PoolListController,
});
