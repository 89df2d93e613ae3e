import { mount } from '../../lib/ui/mount';
import { App } from './App';
import './customer.css';

mount('customer', App);
