from . import website_visitor
